using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Hosting;

/// <summary>The HTTP surface, in request order: error handling first, then every endpoint group.</summary>
public static class ServerlessEndpoints
{
    public static WebApplication MapServerless(this WebApplication app)
    {
        app.UseMiddleware<ErrorHandlingMiddleware>();
        // Unmatched routes and wrong methods get a JSON error too, not an empty body.
        app.UseStatusCodePages(context => ErrorResponse.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
            $"{context.HttpContext.Request.Method} {context.HttpContext.Request.Path} is not an endpoint of this server"));
        app.MapHealthEndpoints();
        app.MapServerEndpoints();
        app.MapModelEndpoints();
        app.MapInferenceEndpoints();
        app.MapRepositoryEndpoints();
        return app;
    }
}
