-- Advances a chain's status hash monotonically (redeliveries never move it back). Prepended by the
-- read model prelude `RM` (field names from src/domain/readModel.ts) and `PUBLISH` (the publish
-- command: PUBLISH, or SPUBLISH for sharded pub/sub).
local F = RM.status
-- KEYS: 1 chain status hash
-- ARGV 'checkpoint': blockNumber, blockHash, head, updatedAt, heads channel, head message JSON.
--   Publishes the head message when the confirmed block advances; returns 1 then, else 0.
-- ARGV 'processed': blockNumber, updatedAt. Returns 1 when processedBlock advanced, else 0.
local mode = ARGV[1]
if mode == 'checkpoint' then
  local block, head = tonumber(ARGV[2]), tonumber(ARGV[4])
  local current = redis.call('HMGET', KEYS[1], F.confirmed, F.head)
  if current[2] == false or head > tonumber(current[2]) then redis.call('HSET', KEYS[1], F.head, ARGV[4]) end
  if current[1] ~= false and block <= tonumber(current[1]) then return 0 end
  redis.call('HSET', KEYS[1], F.confirmed, ARGV[2], F.confirmedHash, ARGV[3], F.updatedAt, ARGV[5])
  redis.call(PUBLISH, ARGV[6], ARGV[7])
  return 1
end
local block = tonumber(ARGV[2])
local current = redis.call('HGET', KEYS[1], F.processedBlock)
if current and block <= tonumber(current) then return 0 end
redis.call('HSET', KEYS[1], F.processedBlock, ARGV[2], F.updatedAt, ARGV[3])
return 1
