/** What Vigil uses of @kubernetes/client-node: the entry of the bundle built by build-kube-client.ts. */
export { CoreV1Api, KubeConfig, setHeaderMiddleware } from '@kubernetes/client-node';
