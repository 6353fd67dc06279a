-- Every request is a password login of the benchmark's account.
-- Usage: wrk -s login.lua <url>/api/v1/auth/login -- <email> <password>
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = string.format('{"email":"%s","password":"%s"}', args[1], args[2])
end
