using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Hosting;

/// <summary>
/// The worker's adapter for <see cref="EndpointPipeline"/>: an HTTP function's invocation runs inside it, on the
/// proxied request's HttpContext, so the host's callers get exactly what standalone callers get. Other functions
/// (the queue trigger) pass straight through.
/// </summary>
public sealed class EndpointPipelineMiddleware(EndpointPipeline pipeline) : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (EndpointCatalog.Find(context.FunctionDefinition.Name) is not { } function || context.GetHttpContext() is not { } http)
        {
            return next(context);
        }
        return pipeline.InvokeAsync(http, function.Access, () => next(context));
    }
}
