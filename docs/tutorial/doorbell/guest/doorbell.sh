# Run by the test guest's /init before its marker line (scripts/guests/init.sh):
# find the doorbell, load its driver, ring it three times.
echo "doorbell: device tree node: $(cat /proc/device-tree/doorbell@9050000/compatible)"
insmod /lib/modules/doorbell_driver.ko
for ring in 1 2 3; do
	devmem 0x09050000 32 "$ring"
done
echo "doorbell: rings counted by the device: $(devmem 0x09050004 32)"
grep doorbell /proc/interrupts
