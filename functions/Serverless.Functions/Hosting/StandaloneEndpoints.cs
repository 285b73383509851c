using Serverless.Functions.Protocol.Endpoints;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Hosting;

/// <summary>
/// The standalone server's routes: every HTTP function of <see cref="EndpointCatalog"/> at its trigger's route and
/// verbs, inside the same <see cref="EndpointPipeline"/> the worker uses. Unknown paths and wrong verbs reach the
/// catch-all function (<see cref="UnmatchedRequestFunctions"/>) under both hosts. Standalone-specific: <c>/admin/...</c>
/// as an alias of <c>/manage/...</c> (the host reserves <c>/admin</c>, so the functions cannot have it), and a JSON body
/// for whatever Kestrel or routing refuses before an endpoint runs.
/// </summary>
public static class StandaloneEndpoints
{
    private const string ManagePrefix = "manage/";
    private const string AdminPrefix = "admin/";

    public static WebApplication MapStandaloneEndpoints(this WebApplication app)
    {
        app.UseStatusCodePages(context =>
        {
            var request = context.HttpContext.Request;
            var status = context.HttpContext.Response.StatusCode;
            return ErrorResponse.WriteAsync(context.HttpContext, status, status switch
            {
                StatusCodes.Status404NotFound => $"{request.Method} {request.Path} is not an endpoint of this server",
                StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not take {request.Method}",
                _ => $"{request.Method} {request.Path} was refused (HTTP {status}) before it reached an endpoint: check its parameters",
            });
        });
        var pipeline = app.Services.GetRequiredService<EndpointPipeline>();
        foreach (var function in EndpointCatalog.Functions)
        {
            RequestDelegate handler = context => pipeline.InvokeAsync(context, function.Access, () => function.Invoke(context));
            app.MapMethods("/" + function.Route, function.Methods, handler).WithName(function.Name);
            if (function.Route.StartsWith(ManagePrefix, StringComparison.Ordinal))
            {
                app.MapMethods("/" + AdminPrefix + function.Route[ManagePrefix.Length..], function.Methods, handler);
            }
        }
        return app;
    }
}
