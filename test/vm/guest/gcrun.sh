# The main job on every kernel zoned device, reports shown (figures for the README).
. guest/lib.sh
for dev in nvme0n1 nvme0n2 nullb0 sda; do
  echo "== zgc run zbd:/dev/$dev"
  ./zgc run zbd:/dev/$dev --force --passes 2 --quiet > /tmp/out 2>&1; rc=$?
  cat /tmp/out
  has "GC run on $dev" /tmp/out "every block"
done
finish
