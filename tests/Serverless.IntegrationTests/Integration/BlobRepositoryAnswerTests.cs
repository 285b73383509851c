using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>
/// A blob repository endpoint that answers 200 with something that is not a storage response (a proxy's or captive
/// portal's HTML page): the store failing to answer, so the documented 503 naming the repository, not a 500.
/// </summary>
public sealed class BlobRepositoryAnswerTests : IAsyncLifetime
{
    // Azurite's published development account; the endpoint below is not Azurite, only shaped like it.
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private WebApplication _portal = null!;
    private ServerlessHost _host = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _portal = builder.Build();
        _portal.Run(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync("<html><body>Please sign in to the network</body></html>");
        });
        await _portal.StartAsync();
        var endpoint = $"{_portal.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()}/devstoreaccount1";
        _host = await ServerlessHost.StartAsync(("Models:Repository", $"{endpoint}/models"),
            ("Models:ConnectionString", $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentKey};BlobEndpoint={endpoint}"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Infer_RepositoryAnswersHtml_Returns503SayingTheListingIsNotStorage()
    {
        var response = await _host.Client.InferAsync("iris-mlp", IrisTwoRows);

        await response.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "the storage endpoint's answer is not a blob listing");
    }

    [Fact]
    public async Task RepositoryIndex_RepositoryAnswersHtml_Returns503()
    {
        var response = await _host.Client.PostAsync("/v2/repository/index", null);

        await response.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "listing the model repository failed");
    }
}
