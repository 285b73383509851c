using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Serverless.Testing;
using Serverless.Tests.Fixtures;
using Serverless.Tests.Jobs;
using Serverless.Tests.Metering;
using static Microsoft.Playwright.Assertions;

namespace Serverless.Tests.WebConsole;

/// <summary>
/// The console in a real browser (headless Chromium) against the real app: what a person does with a key, step by
/// step, with a screenshot of each step under the test output's <c>TestResults/console/</c> (docs/testing.md).
/// </summary>
public sealed class ConsoleBrowserTests
{
    private static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "TestResults", "console");

    // Expectations poll the page until they hold; 5 s (Playwright's default) is short for a first, cold load on a busy CI machine.
    static ConsoleBrowserTests() => SetDefaultExpectTimeout(30_000);

    [WithChromiumFact]
    public async Task Console_CallerWithKey_SeesModelsRunsInferenceWatchesJobAndSeesItsUsage()
    {
        await using var host = await ServerlessHost.StartAsync(MeteredApi.Settings());
        var key = await MeteredApi.CreateCallerWithKeyAsync(host.Client, "console-user");
        // A caller's relative job paths resolve in its own folder of the job space (JobNamespace).
        var jobs = Path.Combine(host.DataDirectory, "jobs", "callers", "console-user", "in");
        Directory.CreateDirectory(jobs);
        await File.WriteAllTextAsync(Path.Combine(jobs, "iris.jsonl"), IrisRows.Jsonl(40));
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var pageErrors = new List<string>();
        page.PageError += (_, error) => pageErrors.Add(error);

        // A browser opening the server's root lands on the console; the key is entered once.
        await page.GotoAsync(host.Address.ToString());
        Assert.Equal(new Uri(host.Address, "/console"), new Uri(page.Url));
        await page.FillAsync("#key", key);
        await page.ClickAsync("#key-form button[type=submit]");
        await Expect(page.Locator("#key-state")).ToHaveTextAsync("Key in use for this browser session.");
        foreach (var model in new[] { "binary-classifier", "iris-mlp", "linear-regressor" })
        {
            await Expect(page.Locator($"article.model[data-model='{model}'] .try-it")).ToBeVisibleAsync();
        }
        await ScreenshotAsync(page, "1-models");

        // Try it: iris-mlp's one input from four numbers; the outputs are what the API answers for the same row.
        var iris = page.Locator("article.model[data-model='iris-mlp']");
        var features = IrisRows.Features(0);
        await iris.Locator("input[data-input='features']").FillAsync(string.Join(", ", features.Select(f => f.ToString(CultureInfo.InvariantCulture))));
        await iris.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        var (probabilities, label) = await ReferenceAsync(host.Client, features);
        await Expect(iris.Locator("code[data-output='label']")).ToHaveTextAsync(label.ToString(CultureInfo.InvariantCulture));
        var shown = (await iris.Locator("code[data-output='probabilities']").TextContentAsync())!.Split(", ").Select(p => float.Parse(p, CultureInfo.InvariantCulture));
        Assert.Equal(probabilities, shown);
        await ScreenshotAsync(page, "2-inference");

        // A job over the 40 rows placed in the data folder: its bar fills to 100%.
        await page.FillAsync("#job-form input[name=model]", "iris-mlp");
        await page.FillAsync("#job-form input[name=input]", "in/iris.jsonl");
        await page.FillAsync("#job-form input[name=output]", "out/console");
        await page.ClickAsync("#job-form button[type=submit]");
        var job = page.Locator("article.job").First;
        await Expect(job).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 60_000 });
        await Expect(job.Locator(".progress")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(job.Locator(".progress-text")).ToContainTextAsync("100% · rows 40 of 40 (0 failed)");
        await ScreenshotAsync(page, "3-job");

        // The usage chart counts the calls just made: the one inference and one call per shard of the job.
        var shards = (await JsonAsync(host.Client, $"/jobs/{await job.GetAttributeAsync("data-job")}", key)).GetProperty("shards").GetProperty("total").GetInt32();
        var bar = page.Locator("figure.chart", new() { HasText = "Calls per model" }).Locator("g.bar[data-label='iris-mlp']");
        await Eventually.TrueAsync(async () =>
        {
            await page.ClickAsync("button[data-refresh='usage']");
            return await bar.CountAsync() == 1 && await bar.GetAttributeAsync("data-value") == (1 + shards).ToString(CultureInfo.InvariantCulture);
        }, $"the usage chart counting {1 + shards} iris-mlp calls", interval: TimeSpan.FromMilliseconds(250));
        await ScreenshotAsync(page, "4-usage");

        // A caller's key may not see the callers; the admin key sees them, the console's caller among them.
        Assert.True(await page.Locator("#callers").IsHiddenAsync());
        await page.FillAsync("#key", MeteredApi.AdminKey);
        await page.ClickAsync("#key-form button[type=submit]");
        await Expect(page.Locator("#caller-list")).ToContainTextAsync("console-user");

        // The admin creates a caller and issues its key: the secret shown once is a working key.
        await page.FillAsync("#caller-form input[name=id]", "second-user");
        await page.ClickAsync("#caller-form button[type=submit]");
        var row = page.Locator("#caller-list tr", new() { HasText = "second-user" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Issue key" }).ClickAsync();
        var secret = page.Locator("code[data-secret='second-user']");
        await Expect(secret).ToBeVisibleAsync();
        await Expect(row).ToContainTextAsync("key_");
        var (status, _) = await MeteredApi.GetJsonAsync(host.Client, "/jobs", await secret.TextContentAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        await ScreenshotAsync(page, "5-admin");

        Assert.Empty(pageErrors);
    }

    [WithChromiumFact]
    public async Task Console_KeyRefused_ShowsTheServersErrorAndNoEarlierData()
    {
        await using var host = await ServerlessHost.StartAsync(MeteredApi.Settings());
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync();

        // The page first loads with no key (allowed here), then a wrong key: each section says why in the server's words.
        await page.GotoAsync(new Uri(host.Address, "/console").ToString());
        await page.FillAsync("#key", "not-a-key");
        await page.ClickAsync("#key-form button[type=submit]");

        await Expect(page.Locator("#models-error")).ToHaveTextAsync("401: the API key is not valid or has been revoked");
        await Expect(page.Locator("#jobs-error")).ToHaveTextAsync("401: the API key is not valid or has been revoked");
        await Expect(page.Locator("article.model")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "6-refused");
    }

    private static async Task<HeadlessChromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = WithChromiumFactAttribute.ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
        return new HeadlessChromium(playwright, browser);
    }

    /// <summary>The browser and the Playwright driver process that runs it, closed together.</summary>
    private sealed class HeadlessChromium(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
    {
        public Task<IPage> NewPageAsync(BrowserNewPageOptions? options = null) => browser.NewPageAsync(options);

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    private static async Task ScreenshotAsync(IPage page, string step)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, step + ".png"), FullPage = true });
    }

    /// <summary>What the API answers for the row, asked with the admin key (metered to the admin, not to the console's caller).</summary>
    private static async Task<(float[] Probabilities, long Label)> ReferenceAsync(HttpClient client, float[] features)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/iris-mlp/infer")
        {
            Content = JsonContent.Create(new { inputs = new[] { new { name = "features", datatype = "FP32", shape = new[] { 1, 4 }, data = features } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MeteredApi.AdminKey);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var outputs = body.RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!, o => o.GetProperty("data").Clone());
        return (outputs["probabilities"].EnumerateArray().Select(v => v.GetSingle()).ToArray(), outputs["label"].EnumerateArray().Single().GetInt64());
    }

    private static async Task<JsonElement> JsonAsync(HttpClient client, string path, string key)
    {
        var (_, body) = await MeteredApi.GetJsonAsync(client, path, key);
        return body;
    }
}
