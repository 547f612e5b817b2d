// Bugs of the kind a deploy brings, added to an unmodified json-server as a middleware.
const cache = new Map();
module.exports = (req, res, next) => {
  const auth = req.headers.authorization;
  // /accounts: anonymous callers get 404 instead of 401 (hides an authentication failure).
  if (req.path.startsWith('/accounts') && auth === undefined) return res.status(404).json({});
  // /orders: GET is protected, HEAD was forgotten.
  if (req.path.startsWith('/orders') && req.method === 'GET' && auth !== 'Bearer good') {
    return res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'login required' });
  }
  // /payments: public, but a bad token is refused.
  if (req.path.startsWith('/payments') && auth !== undefined && auth !== 'Bearer good') {
    return res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'bad token' });
  }
  // POST answers 201 with a Location: right for /books, a typo for /magazines.
  if (req.method === 'POST') {
    const jsonp = res.jsonp.bind(res);
    res.jsonp = (body) => {
      if (res.statusCode === 201 && body && body.id !== undefined) {
        res.set('Location', req.path.startsWith('/magazines') ? `/magazine/${body.id}` : `${req.path.replace(/\/$/, '')}/${body.id}`);
      }
      return jsonp(body);
    };
  }
  // A response cache for GET /books/:id that a DELETE does not invalidate.
  if (req.method === 'GET' && /^\/books\/\d+$/.test(req.path)) {
    if (cache.has(req.path)) return res.status(200).json(cache.get(req.path));
    const jsonp = res.jsonp.bind(res);
    res.jsonp = (body) => {
      if (res.statusCode === 200) cache.set(req.path, body);
      return jsonp(body);
    };
  }
  next();
};
