// Entry point of object listing: the services container calls createObjectService(deps) with the grant resolver,
// the session's credential provider and the AWS client factory.
export { createObjectService, type ObjectLister, type ObjectServiceDeps } from './list';
