using System.Net.Http.Json;
using System.Text;

namespace Serverless.Tests.Integration;

/// <summary>Requests against the sample models, as a client would write them.</summary>
public static class SampleRequests
{
    /// <summary>Two iris-like rows for iris-mlp (input "features" FP32 [-1, 4]).</summary>
    public const string IrisTwoRows = """
        {"id":"r1","inputs":[{"name":"features","shape":[2,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2,6.7,3.0,5.2,2.3]}]}
        """;

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> InferAsync(this HttpClient client, string model, string body) =>
        client.PostAsync($"/v2/models/{model}/infer", Json(body));
}
