# The zgc tool on real kernel devices: good input works, bad input is refused clearly.
. guest/lib.sh
run "info nvme0n1" 0 "16 x 64 MiB \(capacity 60 MiB\)" ./zgc info zbd:/dev/nvme0n1
run "zones sda" 0 "cnv +nw" ./zgc zones zbd:/dev/sda
run "zones json" 0 '"type_name": "swr"' ./zgc zones --json zbd:/dev/nullb0
run "non-zoned device" 1 "not_supported: .*not a zoned block device \(queue/zoned is 'none'\)" ./zgc info zbd:/dev/ram0
run "missing device" 1 "not_found: /dev/nvme9n9: no such device" ./zgc info zbd:/dev/nvme9n9
run "char device" 1 "not_supported: .*not a block device" ./zgc info zbd:/dev/ng0n1
run "reset conventional" 1 "zone_state: .*conventional" ./zgc reset zbd:/dev/sda --zone 0
run "reset zone" 0 "reset zone 5" ./zgc reset zbd:/dev/sda --zone 5
run "run without --force" 2 "add --force" ./zgc run zbd:/dev/nullb0
run "run on null_blk" 0 "every block" ./zgc run zbd:/dev/nullb0 --force --passes 1.1 --block 1M --quiet
run "run on ZNS" 0 "every block" ./zgc run zbd:/dev/nvme0n2 --force --passes 1.2 --block 256K --quiet
run "run on SMR" 0 "every block" ./zgc run zbd:/dev/sda --force --passes 1.2 --block 1M --quiet
run "GC through Simple Copy" 0 "relocated by offload +[1-9]" ./zgc run zbd:/dev/nvme0n1 --force --passes 1.5 --quiet
run "fill nvme0n1" 0 "every block" ./zgc run zbd:/dev/nvme0n1 --force --passes 0.1 --quiet
run "copy by io_uring" 0 "verified: every copied byte" ./zgc copy zbd:/dev/nvme0n1 --src 0:256K,1M:64K,8M:1M --dst-zone 5 --path nvme-uring --verify
run "copy by ioctl" 0 "verified: every copied byte" ./zgc copy zbd:/dev/nvme0n1 --src 0:256K,1M:64K,8M:1M --dst-zone 5 --path nvme --verify
run "copy by read/write" 0 "verified: every copied byte" ./zgc copy zbd:/dev/nvme0n1 --src 0:256K,1M:64K --dst-zone 5 --path rw --verify
run "copy auto" 0 "nvme-uring +69632 bytes" ./zgc copy zbd:/dev/nvme0n1 --src 2M:64K,4M:4K --dst-zone 6 --verify
run "copy blkcopy absent" 1 "copy path blkcopy is absent: .*ENOTTY" ./zgc copy zbd:/dev/nvme0n1 --src 0:4K --dst-zone 6 --path blkcopy
# Two zones the GC run left full on null_blk (64 MiB zones): one to copy from, one to copy to.
full=$(./zgc zones zbd:/dev/nullb0 | awk '$7=="fu"{print $1}')
s=$(echo $full | cut -d' ' -f1); d=$(echo $full | cut -d' ' -f2)
src=$((s * 64))M
run "copy to a full zone" 1 "zone_state: .*zone $d is fu" ./zgc copy zbd:/dev/nullb0 --src $src:64K --dst-zone $d
./zgc reset zbd:/dev/nullb0 --zone $d >/dev/null
run "copy on null_blk" 0 "rw +65536 bytes" ./zgc copy zbd:/dev/nullb0 --src $src:64K --dst-zone $d --verify
run "reset all" 0 "reset all" ./zgc reset zbd:/dev/nvme0n1 --all
finish
