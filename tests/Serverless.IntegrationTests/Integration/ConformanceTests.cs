using System.Net;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Integration;

/// <summary>
/// External truth: real ONNX models with reference inputs and outputs written by others
/// (../shared/onnx-conformance), served as a model repository and checked within each case's tolerance.
/// </summary>
public sealed class ConformanceTests : IAsyncLifetime
{
    private ServerlessHost _host = null!;

    public static TheoryData<string> Cases() => new(ConformanceCase.Names());

    public async Task InitializeAsync() =>
        _host = await ServerlessHost.StartAsync(("Models:Repository", Path.Combine(RepositoryPaths.Conformance, "models")));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [NeedsSharedTheory]
    [MemberData(nameof(Cases))]
    public async Task Infer_ConformanceCase_MatchesReferenceOutputs(string name)
    {
        var response = await _host.Client.InferAsync(name, await ConformanceCase.RequestAsync(name));

        await ConformanceCase.AssertMatchesAsync(name, (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("outputs"));
    }
}
