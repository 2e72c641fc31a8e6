# copy_bench on the lab's ZNS namespaces (Simple Copy by io_uring and ioctl vs read/write).
./copy_bench --uri zbd:/dev/nvme0n1 --mib "${1:-256}" && ./copy_bench --uri zbd:/dev/nvme0n2 --mib "${2:-128}"
