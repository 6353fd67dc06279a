-- Paces each wrk connection: after every answer it waits `delay` ms before the next request, so
-- 50 connections send about 50 * 1000 / delay requests per second. Latency is then measured at a
-- load every proxy sustains, instead of at saturation where it is mostly queueing.
-- Usage: wrk -s paced.lua <url> -- <delay ms>
local pause = 100

function init(args)
  if args[1] then pause = tonumber(args[1]) end
end

function delay()
  return pause
end
