-- Every merchant gets a unique number of 4 to 6 digits. Merchants created before this migration
-- get theirs when the gateway next starts (a portable migration cannot draw random numbers).
ALTER TABLE merchants ADD COLUMN serial_number BIGINT;
CREATE UNIQUE INDEX merchants_by_serial_number ON merchants (serial_number);
