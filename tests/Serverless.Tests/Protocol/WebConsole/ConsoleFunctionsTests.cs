using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Functions.Protocol.WebConsole;

namespace Serverless.Tests.Protocol.WebConsole;

/// <summary>/console: the page and its modules, embedded in the assembly and served by the functions with no CDN.</summary>
public sealed partial class ConsoleFunctionsTests
{
    [Fact]
    public async Task Page_Get_IsHtmlLoadingItsModuleFromTheApp()
    {
        var context = await GetAsync(ConsoleFunctions.PageAsync);
        var html = Body(context);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", context.Response.ContentType);
        Assert.Contains("<script type=\"module\" src=\"/console/console.js\"></script>", html);
    }

    [Theory]
    [InlineData("console.js", "text/javascript; charset=utf-8")]
    [InlineData("console.css", "text/css; charset=utf-8")]
    [InlineData("charts.js", "text/javascript; charset=utf-8")]
    public async Task Asset_Known_IsServedWithItsMediaType(string asset, string mediaType)
    {
        var context = await GetAsync(request => ConsoleFunctions.AssetAsync(request, asset));

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(mediaType, context.Response.ContentType);
        Assert.Equal(ConsoleAssets.Find(asset)!.Content.Length, context.Response.Body.Length);
        Assert.Equal("nosniff", context.Response.Headers.XContentTypeOptions.ToString());
    }

    [Theory]
    [InlineData("nothing.js")]
    [InlineData("..%2Fappsettings.json")]
    public async Task Asset_Unknown_Is404JsonError(string asset)
    {
        var context = await GetAsync(request => ConsoleFunctions.AssetAsync(request, asset));

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.Contains("is not part of the console", Body(context));
    }

    [Fact]
    public async Task Page_Head_HasHeadersAndNoBody()
    {
        var context = NewContext(HttpMethods.Head);

        await ConsoleFunctions.PageAsync(context.Request);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(ConsoleAssets.Find(ConsoleAssets.PageName)!.Content.Length, context.Response.ContentLength);
        Assert.Equal(0, context.Response.Body.Length);
    }

    /// <summary>Every module the scripts import is an embedded asset, and nothing is loaded from another origin.</summary>
    [Fact]
    public void Assets_ImportsAndLinks_AllResolveInsideTheApp()
    {
        foreach (var name in ConsoleAssets.Names)
        {
            var text = Encoding.UTF8.GetString(ConsoleAssets.Find(name)!.Content);
            Assert.DoesNotContain("https://", text);
            foreach (Match import in ImportPattern().Matches(text))
            {
                Assert.NotNull(ConsoleAssets.Find(import.Groups["file"].Value));
            }
        }
        Assert.Contains("console.js", ConsoleAssets.Names);
    }

    [GeneratedRegex(@"from '\./(?<file>[a-z]+\.js)'")]
    private static partial Regex ImportPattern();

    private static async Task<HttpContext> GetAsync(Func<HttpRequest, Task> serve)
    {
        var context = NewContext(HttpMethods.Get);
        await serve(context.Request);
        return context;
    }

    private static DefaultHttpContext NewContext(string method)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider() };
        context.Request.Method = method;
        context.Request.Path = "/console";
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
