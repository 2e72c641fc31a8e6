# `zgc probe` on every lab device, checked against the facts the lab is built with.
. guest/lib.sh
probe() { ./zgc probe "zbd:/dev/$1" > "/tmp/$1.txt" 2>&1; ./zgc probe --json "zbd:/dev/$1" > "/tmp/$1.json" 2>&1; }
for d in nvme0n1 nvme0n2 nullb0 sda; do probe $d; done

has "nvme0n1 family" /tmp/nvme0n1.json '"family": "zns"'
has "nvme0n1 4K blocks" /tmp/nvme0n1.json '"logical_block_size": 4096'
has "nvme0n1 zone capacity 60M" /tmp/nvme0n1.json '"zone_capacity": 62914560'
has "nvme0n1 max open 14" /tmp/nvme0n1.json '"max_open_zones": 14'
has "nvme0n1 max active 14" /tmp/nvme0n1.json '"max_active_zones": 14'
has "nvme0n1 Simple Copy offered" /tmp/nvme0n1.txt '^  nvme +available ONCS.Copy set'
has "nvme0n1 MSSRL 128" /tmp/nvme0n1.json '"mssrl_blocks": 128'
has "nvme0n1 MCL 128" /tmp/nvme0n1.json '"mcl_blocks": 128'
has "nvme0n1 MSRC 127" /tmp/nvme0n1.json '"msrc": 127'
has "nvme0n1 copy bytes per range" /tmp/nvme0n1.json '"max_range_bytes": 524288'
has "nvme0n1 generic device" /tmp/nvme0n1.json '"generic_device": "/dev/ng0n1"'
has "nvme0n1 io_uring passthrough" /tmp/nvme0n1.json '"io_uring_passthrough": true'
has "nvme0n1 BLKCOPY absent (ENOTTY)" /tmp/nvme0n1.txt '^  blkcopy +absent .*BLKCOPY\(128\): ENOTTY'
has "nvme0n1 zone append" /tmp/nvme0n1.json '"zone_append": true'

has "nvme0n2 512B blocks" /tmp/nvme0n2.json '"logical_block_size": 512'
has "nvme0n2 capacity = size" /tmp/nvme0n2.json '"zone_capacity": 33554432'
has "nvme0n2 no open limit" /tmp/nvme0n2.json '"max_open_zones": 0'
has "nvme0n2 Simple Copy offered" /tmp/nvme0n2.txt '^  nvme +available'
has "nvme0n2 MSSRL 128 LBAs = 64K" /tmp/nvme0n2.json '"max_range_bytes": 65536'
has "nvme0n2 generic device" /tmp/nvme0n2.json '"generic_device": "/dev/ng0n2"'

has "nullb0 family" /tmp/nullb0.json '"family": "nullblk"'
has "nullb0 limits 8/12" /tmp/nullb0.txt 'max open 8, max active 12'
has "nullb0 no Simple Copy" /tmp/nullb0.txt '^  nvme +absent +not an NVMe namespace'
has "nullb0 BLKCOPY absent" /tmp/nullb0.txt '^  blkcopy +absent'
has "nullb0 fallback" /tmp/nullb0.txt '^  fallback +available'
has "nullb0 no zone append" /tmp/nullb0.json '"zone_append": false'

has "sda family" /tmp/sda.json '"family": "zbc"'
has "sda host-managed" /tmp/sda.json '"model": "host-managed"'
has "sda 2 conventional zones" /tmp/sda.json '"nr_conventional_zones": 2'
has "sda max open 8" /tmp/sda.json '"max_open_zones": 8'
has "sda BLKCOPY absent (EINVAL)" /tmp/sda.txt '^  blkcopy +absent .*BLKCOPY\(128\): EINVAL'
has "sda no Simple Copy" /tmp/sda.txt '^  nvme +absent'
finish
