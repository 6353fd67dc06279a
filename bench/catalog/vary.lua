-- Every request asks for a different price floor, so no two share a cache entry: what the catalog
-- costs when Redis has not seen the query yet.
-- Usage: wrk -s vary.lua <gateway> -- <path with a query string>
local path = "/"

function init(args)
  path = args[1]
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", path .. "&minPrice=" .. math.random(1, 50000000))
end
