-- The rows of input files about to be recorded again (a new row replaces a path's old one).
DELETE FROM input_files WHERE path IN (SELECT unnest($keys::VARCHAR[]));
