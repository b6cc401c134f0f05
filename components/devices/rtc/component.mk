obj-y  += rtc.o
host-y += rtc.o
