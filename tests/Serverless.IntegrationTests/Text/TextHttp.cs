using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Serverless.Tests.Text;

/// <summary>The requests and readings text tests make on the wire: keyed JSON posts, SSE data lines, a JSON property found anywhere.</summary>
internal static class TextHttp
{
    public static HttpRequestMessage Post(string path, string json, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return request;
    }

    public static HttpRequestMessage Get(string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return request;
    }

    public static async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> SendJsonAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    /// <summary>The payloads of a whole SSE body's <c>data:</c> events, in order.</summary>
    public static List<string> DataLines(string body)
    {
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        return [.. events.Select(e => e["data: ".Length..])];
    }

    /// <summary>Every value of a property named <paramref name="name"/> anywhere in the document (metadata puts kind properties in a nested object).</summary>
    public static IEnumerable<JsonElement> FindAll(JsonElement element, string name)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.NameEquals(name))
                    {
                        yield return property.Value;
                    }
                    foreach (var inner in FindAll(property.Value, name))
                    {
                        yield return inner;
                    }
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var inner in FindAll(item, name))
                    {
                        yield return inner;
                    }
                }
                break;
        }
    }

    /// <summary>
    /// A property's value as text whether the server wrote it as a string, a number, or as Triton's config writes a
    /// parameter (<c>{"string_value": "..."}</c>).
    /// </summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Object when value.TryGetProperty("string_value", out var inner) => Text(inner),
        _ => value.GetRawText(),
    };
}
