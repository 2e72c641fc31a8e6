# Copy submission on the kernel's devices: Simple Copy by ioctl and io_uring on both
# ZNS namespaces, read/write on null_blk and the SCSI ZBC disk; every byte verified.
rc=0
for d in nvme0n1 nvme0n2 nullb0 sda; do
  ./zgc_copy_test --uri="zbd:/dev/$d" || rc=1
done
exit $rc
