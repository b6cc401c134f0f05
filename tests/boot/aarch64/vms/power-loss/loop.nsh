# UEFI Shell script of aarch64/vars-power-loss: sets three non-volatile
# variables to new values, again and again, until the power is cut.
# Every value is hex bytes: the variable's mark (AA, BB, CC) and the
# iteration's digits twice (iteration 7: AA 77; 123: AA 12 31 23), so a
# later boot can tell a value the loop wrote from garbage.
echo -off
echo POWER-LOSS-LOOP-STARTED
for %a run (1 100000)
  setvar PLA -guid 7e55e2a0-5e5a-4d1b-9c3f-7e55e2a00003 -bs -rt -nv =AA%a%a
  setvar PLB -guid 7e55e2a0-5e5a-4d1b-9c3f-7e55e2a00003 -bs -rt -nv =BB%a%a
  setvar PLC -guid 7e55e2a0-5e5a-4d1b-9c3f-7e55e2a00003 -bs -rt -nv =CC%a%a
endfor
