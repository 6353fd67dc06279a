-- Paces each wrk connection: after every answer it waits a random time, `delay` ms on average
-- (uniform between 0 and twice that), so 50 connections send about 50 * 1000 / delay requests per
-- second. Random rather than fixed: with a fixed pause the connections stay in step and arrive as
-- one burst of 50 every `delay` ms, and the p99 then measures the queue behind that burst rather
-- than the latency a proxy adds to a request.
-- Usage: wrk -s paced.lua <url> -- <delay ms>
local pause = 100

function init(args)
  if args[1] then pause = tonumber(args[1]) end
  math.randomseed(os.time())
end

function delay()
  return math.random(0, 2 * pause)
end
