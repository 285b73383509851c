using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.FunctionsHost.Tests.StandIn;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;

namespace Serverless.FunctionsHost.Tests;

/// <summary>
/// The one default that differs by hosting mode: started by the host, the app requires an API key unless
/// Metering:RequireKey says otherwise. Only a worker-mode run can check that the mode reached the metering options.
/// </summary>
public sealed class MeteringUnderHostTests : IAsyncLifetime
{
    private const string AdminKey = "stand-in-admin-key-0123456789";
    private const string IrisOneRow = """{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}""";

    private readonly TempDirectory _data = new();
    private StandInHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await StandInHost.StartAndLoadAsync(AppSettings.Defaults(_data.Path, ("Metering__AdminKey", AdminKey)));

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        _data.Dispose();
    }

    [Fact]
    public async Task Infer_UnderHostWithoutKey_Returns401WithErrorBody()
    {
        var call = await _host.SendAsync(Infer(key: null));

        Assert.Equal(StatusResult.Types.Status.Success, call.Invocation.Result.Status);
        Assert.True(call.Response.StatusCode == HttpStatusCode.Unauthorized, Encoding.UTF8.GetString(call.Body));
        using var body = JsonDocument.Parse(call.Body);
        Assert.Contains("API key is required", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_UnderHostWithAdminKey_Returns200()
    {
        var call = await _host.SendAsync(Infer(AdminKey));

        Assert.Equal(StatusResult.Types.Status.Success, call.Invocation.Result.Status);
        Assert.True(call.Response.StatusCode == HttpStatusCode.OK, Encoding.UTF8.GetString(call.Body));
    }

    private static HttpRequestMessage Infer(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/iris-mlp/infer") { Content = new StringContent(IrisOneRow, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("api-key", key);
        }
        return request;
    }
}
