-- Publishes a run of pending-topic events of ONE contract on its pending channel, in order, except
-- the PENDING events the contract's confirmed state already settled: a PENDING delivered after the
-- CONFIRMED of its id (or after its block was confirmed) would show a confirmed event as pending to
-- a client that keys events by id. Reading the state and publishing in one script means no apply
-- can run between the check and the publish.
--
-- KEYS: 1 meta, 2 applied, 3 removed (the contract's keys the apply script keeps)
-- ARGV: 1 pending channel, then per event: id, status, blockNumber, logIndex, channel message
-- Returns { published, dropped }. Prepended by the read model's prelude (RM) and `PUBLISH` (the
-- publish command: PUBLISH, or SPUBLISH for sharded pub/sub).
local meta = redis.call('HMGET', KEYS[1], RM.meta.highWaterMark, RM.meta.trimmed)
local hb, hl
if meta[1] then
  local a, b = string.match(meta[1], '^(%d+)-(%d+)$')
  hb, hl = tonumber(a), tonumber(b)
end
local trimmed = tonumber(meta[2] or '-1')

local published, dropped = 0, 0
for at = 2, #ARGV, 5 do
  local id, status = ARGV[at], ARGV[at + 1]
  local bn, li = tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
  local settled = false
  if status == 'PENDING' then
    -- Confirmed events of a contract are applied in chain order, so a position at or below the
    -- high-water mark belongs to a block already confirmed (the same id was applied, or the block
    -- was orphaned); the id checks cover a mark that a REMOVED rolled back.
    settled = bn <= trimmed
      or (hb ~= nil and (bn < hb or (bn == hb and li <= hl)))
      or redis.call('HEXISTS', KEYS[2], id) == 1
      or redis.call('SISMEMBER', KEYS[3], id) == 1
  end
  if settled then
    dropped = dropped + 1
  else
    redis.call(PUBLISH, ARGV[1], ARGV[at + 4])
    published = published + 1
  end
end
return { published, dropped }
