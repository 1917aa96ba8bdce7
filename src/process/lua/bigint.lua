-- Exact signed integer arithmetic on decimal strings (Lua numbers are doubles and lose uint256
-- precision). Magnitudes are processed in 14-digit chunks: the sum of two chunks plus a carry stays
-- far below 2^53, so every chunk operation is exact.
local BIG_CHUNK = 14
local BIG_BASE = 100000000000000

-- Splits "-00123" into sign (1 or -1) and magnitude without leading zeros ("123"; zero is "0").
local function big_parse(s)
  local sign = 1
  if string.sub(s, 1, 1) == '-' then
    sign = -1
    s = string.sub(s, 2)
  end
  s = string.gsub(s, '^0+', '')
  if s == '' then return 1, '0' end
  return sign, s
end

local function big_cmp_mag(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end

local function big_chunks(s)
  local chunks = {}
  local i = #s
  while i > 0 do
    local j = i - BIG_CHUNK + 1
    if j < 1 then j = 1 end
    chunks[#chunks + 1] = tonumber(string.sub(s, j, i))
    i = j - 1
  end
  return chunks
end

local function big_join(chunks)
  local n = #chunks
  while n > 1 and chunks[n] == 0 do n = n - 1 end
  local parts = { string.format('%d', chunks[n]) }
  for k = n - 1, 1, -1 do parts[#parts + 1] = string.format('%014d', chunks[k]) end
  return table.concat(parts)
end

local function big_add_mag(a, b)
  local x, y = big_chunks(a), big_chunks(b)
  local out, carry = {}, 0
  for k = 1, math.max(#x, #y) do
    local v = (x[k] or 0) + (y[k] or 0) + carry
    if v >= BIG_BASE then
      out[k] = v - BIG_BASE
      carry = 1
    else
      out[k] = v
      carry = 0
    end
  end
  if carry > 0 then out[#out + 1] = carry end
  return big_join(out)
end

-- Requires |a| >= |b|.
local function big_sub_mag(a, b)
  local x, y = big_chunks(a), big_chunks(b)
  local out, borrow = {}, 0
  for k = 1, #x do
    local v = x[k] - (y[k] or 0) - borrow
    if v < 0 then
      out[k] = v + BIG_BASE
      borrow = 1
    else
      out[k] = v
      borrow = 0
    end
  end
  return big_join(out)
end

local function big_signed(sign, mag)
  if mag == '0' or sign > 0 then return mag end
  return '-' .. mag
end

-- a + b for signed decimal strings.
local function big_add(a, b)
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
  local sa, ma = big_parse(a)
  if ma == '0' then return 0 end
  return sa
end
