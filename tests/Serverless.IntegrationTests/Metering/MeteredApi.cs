using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Serverless.Tests.Metering;

/// <summary>The calls metering tests make against a running app: admin API, keyed inference, usage reports.</summary>
internal static class MeteredApi
{
    public const string AdminKey = "test-admin-key-0123456789";

    public static (string Key, string Value)[] Settings(params (string Key, string Value)[] extra) =>
    [
        ("Models:Repository", Fixtures.RepositoryPaths.SampleModels),
        ("Metering:AdminKey", AdminKey),
        .. extra,
    ];

    /// <summary>A linear-regressor request (4 features per row) with the request id the ledger keeps.</summary>
    public static string LinearRegressorBody(string id, int rows = 1) =>
        $$"""{"id":"{{id}}","inputs":[{"name":"features","shape":[{{rows}},4],"datatype":"FP32","data":[{{string.Join(",", Enumerable.Repeat("1,2,3,4", rows))}}]}]}""";

    public static string BinaryClassifierBody(string id) =>
        $$"""{"id":"{{id}}","inputs":[{"name":"features","shape":[1,3],"datatype":"FP32","data":[1,-0.5,0.2]}]}""";

    public static string BodyFor(string model, string id) => model == "binary-classifier" ? BinaryClassifierBody(id) : LinearRegressorBody(id);

    public static async Task CreateCallerAsync(HttpClient client, string id, object? plan = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/callers") { Content = JsonContent.Create(new { id, plan }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <returns>The key id and the secret.</returns>
    public static async Task<(string KeyId, string Key)> IssueKeyAsync(HttpClient client, string callerId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/callers/{callerId}/keys");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("key_id").GetString()!, body.RootElement.GetProperty("key").GetString()!);
    }

    public static async Task<string> CreateCallerWithKeyAsync(HttpClient client, string id, object? plan = null)
    {
        await CreateCallerAsync(client, id, plan);
        return (await IssueKeyAsync(client, id)).Key;
    }

    public static HttpRequestMessage Infer(string model, string body, string? key, bool apiKeyHeader = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{model}/infer") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        Authorize(request, key, apiKeyHeader);
        return request;
    }

    public static async Task<HttpStatusCode> InferAsync(HttpClient client, string model, string id, string? key)
    {
        using var request = Infer(model, BodyFor(model, id), key);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(HttpClient client, string path, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        Authorize(request, key, apiKeyHeader: false);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    public static async Task<string> GetTextAsync(HttpClient client, string path, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        Authorize(request, key, apiKeyHeader: false);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static void Authorize(HttpRequestMessage request, string? key, bool apiKeyHeader)
    {
        if (key is null)
        {
            return;
        }
        if (apiKeyHeader)
        {
            request.Headers.Add("api-key", key);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }
}
