using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Tests.Protocol.OpenApi;

/// <summary><c>GET /</c>, answered by the catch-all function: a browser goes to the console, a client gets where things are.</summary>
public sealed class ApiLandingTests
{
    [Fact]
    public async Task Root_BrowserAcceptingHtml_IsRedirectedToConsole()
    {
        var context = await GetRootAsync("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");

        Assert.Equal(StatusCodes.Status302Found, context.Response.StatusCode);
        Assert.Equal("/console", context.Response.Headers.Location.ToString());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("*/*")]
    [InlineData(null)]
    public async Task Root_Client_GetsLandingJsonNamingConsoleDocumentDocsAndHealth(string? accept)
    {
        var context = await GetRootAsync(accept);
        using var body = JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray());

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.StartsWith("application/json", context.Response.ContentType);
        Assert.Equal("serverless", body.RootElement.GetProperty("name").GetString());
        Assert.Equal("/console", body.RootElement.GetProperty("console").GetString());
        Assert.Equal("/openapi.json", body.RootElement.GetProperty("openapi").GetString());
        Assert.Equal("/docs", body.RootElement.GetProperty("docs").GetString());
        Assert.Equal("/v2/health/live", body.RootElement.GetProperty("health").GetProperty("live").GetString());
        Assert.Equal("/v2/health/ready", body.RootElement.GetProperty("health").GetProperty("ready").GetString());
    }

    [Fact]
    public async Task Root_Post_IsStillNoEndpoint()
    {
        var context = NewContext(HttpMethods.Post, null);

        await UnmatchedRequestFunctions.AnswerAsync(context.Request);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
    }

    private static async Task<HttpContext> GetRootAsync(string? accept)
    {
        var context = NewContext(HttpMethods.Get, accept);
        await UnmatchedRequestFunctions.AnswerAsync(context.Request);
        return context;
    }

    private static DefaultHttpContext NewContext(string method, string? accept)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = method;
        context.Request.Path = "/";
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }
        context.Response.Body = new MemoryStream();
        return context;
    }
}
