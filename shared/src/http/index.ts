export { AppError, STATUS_BY_KIND, type ErrorDetail, type ErrorKind } from './errors';
export { ok, failure, type Ok, type Failure } from './envelope';
export { errorHandler, notFoundHandler } from './error-handler';
export { validate, issuesToDetails, type RequestSchemas } from './validate';
export { requestContext, requireJsonBody, REQUEST_ID_HEADER } from './middleware';
export { createHttpApp, type HttpAppOptions } from './app';
export { markRelayed, observeRequests, type ObserveOptions } from './observe';
export { pageQuery, encodeCursor, decodeCursor, page } from './paging';
export {
  answers,
  createRoutes,
  defineRoute,
  withStatus,
  type Access,
  type Answer,
  type PageResult,
  type RouteInput,
  type RouteSpec,
  type Routes,
} from './define-route';
