-- Compare-and-set of the epoch marker. KEYS: 1 epoch marker. ARGV: 1 expected value, 2 new value,
-- 3 optional PX milliseconds (only for the transient rebuilding marker).
-- Returns 1 when the marker held the expected value and was replaced, else 0.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] and ARGV[3] ~= '' then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1
