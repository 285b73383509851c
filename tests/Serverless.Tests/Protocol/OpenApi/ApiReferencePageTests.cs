using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Functions.Protocol.OpenApi;

namespace Serverless.Tests.Protocol.OpenApi;

/// <summary>/docs: Scalar's page and its assets, served from inside the app (no CDN) through the function's dispatch.</summary>
public sealed class ApiReferencePageTests
{
    [Fact]
    public async Task Page_WithoutTrailingSlash_RedirectsSoRelativeAssetsResolveUnderDocs()
    {
        var context = await ServeAsync("/docs");

        Assert.Equal(StatusCodes.Status302Found, context.Response.StatusCode);
        Assert.Equal("docs/", context.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task Page_WithTrailingSlash_IsScalarsHtmlReadingOpenApiJson()
    {
        var context = await ServeAsync("/docs/");
        var html = Body(context);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.StartsWith("text/html", context.Response.ContentType);
        Assert.Contains("<script src=\"scalar.js\"></script>", html);
        Assert.Contains("\"url\":\"openapi.json\"", html);
        Assert.DoesNotContain("https://", html);
    }

    [Theory]
    [InlineData("/docs/scalar.js", "text/javascript")]
    [InlineData("/docs/scalar.aspnetcore.js", "text/javascript")]
    [InlineData("/docs/favicon.svg", "image/svg+xml")]
    public async Task Assets_FromInsideThePackage_AreServed(string path, string contentType)
    {
        var context = await ServeAsync(path);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.StartsWith(contentType, context.Response.ContentType);
        Assert.True(context.Response.Body.Length > 0);
    }

    [Theory]
    [InlineData("/docs/nothing.js")]
    [InlineData("/docs/other-document")]
    public async Task Path_NotOfThePage_IsNotServed(string path)
    {
        var context = NewContext(path);

        Assert.False(await ApiReferencePage.ServeAsync(context));
    }

    private static async Task<HttpContext> ServeAsync(string path)
    {
        var context = NewContext(path);
        Assert.True(await ApiReferencePage.ServeAsync(context));
        return context;
    }

    private static DefaultHttpContext NewContext(string path)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider() };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
