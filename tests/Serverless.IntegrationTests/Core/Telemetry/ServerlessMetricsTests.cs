using System.Net;
using System.Text.RegularExpressions;
using Serverless.Tests.Fixtures;
using Serverless.Tests.Metering;

namespace Serverless.Tests.Core.Telemetry;

/// <summary>Metric labels come from the repository's models, never from whatever a URL says.</summary>
public sealed class ServerlessMetricsTests
{
    [Fact]
    public async Task Metrics_InventedModelNamesUnauthenticatedAndNotFound_LabelledUnknownAndRealModelKeepsItsSeries()
    {
        await using var host = await ServerlessHost.StartAsync(MeteredApi.Settings(("Metering:RequireKey", "true")));
        var key = await MeteredApi.CreateCallerWithKeyAsync(host.Client, "labelled");
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(host.Client, "linear-regressor", "real", key));

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await MeteredApi.InferAsync(host.Client, $"invented-{i}", "x", key: null));
            Assert.Equal(HttpStatusCode.NotFound, await MeteredApi.InferAsync(host.Client, $"invented-known-caller-{i}", "x", key));
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await MeteredApi.InferAsync(host.Client, "invented" + new string('x', 4000), "x", key: null));
        var text = await MeteredApi.GetTextAsync(host.Client, "/metrics", MeteredApi.AdminKey);

        Assert.DoesNotContain("invented", text);
        Assert.Matches(new Regex("serverless_requests_total\\{[^}]*model=\"unknown\"[^}]*status=\"401\""), text);
        Assert.Matches(new Regex("serverless_requests_total\\{[^}]*model=\"linear-regressor\"[^}]*status=\"200\""), text);
    }
}
