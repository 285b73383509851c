using System.Net;
using System.Text.Json;

namespace Serverless.Tests.Fixtures;

/// <summary>Status and body checks shared by the HTTP tests.</summary>
public static class HttpAssertions
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A JSON <c>{"error": "..."}</c> body with this status, whose message contains <paramref name="fragment"/>.</summary>
    public static async Task<string> AssertErrorAsync(this HttpResponseMessage response, HttpStatusCode expected, string fragment)
    {
        var json = await response.ReadJsonAsync(expected);
        var message = json.GetProperty("error").GetString()!;
        Assert.Contains(fragment, message);
        return message;
    }
}
