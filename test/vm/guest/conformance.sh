# The ZonedDevice conformance suite against a kernel zoned block device.
./zgc_conformance --uri="zbd:/dev/$1"
