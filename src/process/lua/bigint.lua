-- Exact signed integer arithmetic on decimal strings (Lua numbers are doubles and lose uint256
-- precision). Magnitudes are processed in 14-digit chunks: the sum of two chunks plus a carry stays
-- far below 2^53, so every chunk operation is exact.
local BIG_CHUNK = 14
local BIG_BASE = 100000000000000

-- Splits "-00123" into sign (1 or -1) and magnitude without leading zeros ("123"; zero is "0").
-- Stored and computed values are canonical, so the pattern match runs only on a leading zero.
local function big_parse(s)
  local sign = 1
  if string.byte(s, 1) == 45 then
    sign = -1
    s = string.sub(s, 2)
  end
  if s == '' or string.byte(s, 1) == 48 then
    s = string.gsub(s, '^0+', '')
    if s == '' then return 1, '0' end
  end
  return sign, s
end

local function big_cmp_mag(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end

-- PAD[k] is k zeros: left-pads a chunk to BIG_CHUNK digits (cheaper than string.format('%014d')).
local PAD = {}
for k = 0, BIG_CHUNK do PAD[k] = string.rep('0', k) end

-- The chunk of s that ends at position i, and where the next (more significant) one ends.
local function big_chunk(s, i)
  local j = i - BIG_CHUNK + 1
  if j < 1 then j = 1 end
  return tonumber(string.sub(s, j, i)), j - 1
end

local function big_add_mag(a, b)
  -- Below 10^15 both operands and their sum are exact doubles.
  if #a < 16 and #b < 16 then return string.format('%d', tonumber(a) + tonumber(b)) end
  local out, carry = '', 0
  local ia, ib = #a, #b
  while ia > 0 or ib > 0 do
    local v, x = carry, 0
    if ia > 0 then
      x, ia = big_chunk(a, ia)
      v = v + x
    end
    if ib > 0 then
      x, ib = big_chunk(b, ib)
      v = v + x
    end
    if v >= BIG_BASE then
      v = v - BIG_BASE
      carry = 1
    else
      carry = 0
    end
    local piece = string.format('%d', v)
    if ia > 0 or ib > 0 or carry > 0 then piece = PAD[BIG_CHUNK - #piece] .. piece end
    out = piece .. out
  end
  if carry > 0 then out = '1' .. out end
  return out
end

-- Requires |a| >= |b|.
local function big_sub_mag(a, b)
  if #a < 16 then return string.format('%d', tonumber(a) - tonumber(b)) end
  local chunks, n, borrow = {}, 0, 0
  local ia, ib = #a, #b
  while ia > 0 do
    local x, y = 0, 0
    x, ia = big_chunk(a, ia)
    if ib > 0 then y, ib = big_chunk(b, ib) end
    local v = x - y - borrow
    if v < 0 then
      v = v + BIG_BASE
      borrow = 1
    else
      borrow = 0
    end
    n = n + 1
    chunks[n] = v
  end
  while n > 1 and chunks[n] == 0 do n = n - 1 end
  local out = string.format('%d', chunks[n])
  for k = n - 1, 1, -1 do
    local piece = string.format('%d', chunks[k])
    out = out .. PAD[BIG_CHUNK - #piece] .. piece
  end
  return out
end

local function big_signed(sign, mag)
  if mag == '0' or sign > 0 then return mag end
  return '-' .. mag
end

-- a + b for signed decimal strings.
local function big_add(a, b)
  -- At most 14 characters each (13 digits when signed): both and their sum are exact doubles.
  local la, lb = #a, #b
  if la < 15 and lb < 15 and la > 0 and lb > 0 then return string.format('%d', tonumber(a) + tonumber(b)) end
  local sa, ma = big_parse(a)
  local sb, mb = big_parse(b)
  if sa == sb then return big_signed(sa, big_add_mag(ma, mb)) end
  local c = big_cmp_mag(ma, mb)
  if c == 0 then return '0' end
  if c > 0 then return big_signed(sa, big_sub_mag(ma, mb)) end
  return big_signed(sb, big_sub_mag(mb, ma))
end

-- a - b for signed decimal strings.
local function big_sub(a, b)
  local sb, mb = big_parse(b)
  return big_add(a, big_signed(-sb, mb))
end

-- -1, 0 or 1 as a compares to b (signed).
local function big_cmp(a, b)
  local sa, ma = big_parse(a)
  local sb, mb = big_parse(b)
  if sa ~= sb then return sa < sb and -1 or 1 end
  local c = big_cmp_mag(ma, mb)
  -- Negating 0 would give the double -0, which tostring prints as "-0".
  if sa < 0 and c ~= 0 then return -c end
  return c
end

-- 1 when a > 0, 0 when a == 0, -1 when a < 0.
local function big_sign(a)
  -- Canonical values: a first digit other than 0 is a positive number.
  local first = string.byte(a, 1)
  if first and first > 48 and first <= 57 then return 1 end
  local sa, ma = big_parse(a)
  if ma == '0' then return 0 end
  return sa
end
