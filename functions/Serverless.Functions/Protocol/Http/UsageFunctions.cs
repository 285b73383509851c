using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;
using Serverless.Functions.Metering;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// <c>GET /usage</c> (totals, optionally per day or model) and <c>GET /usage/export</c> (CSV for billing).
/// A caller sees only its own usage; the admin key sees everyone's.
/// </summary>
public sealed class UsageFunctions(IUsageStore store, TimeProvider time)
{
    [Function("Usage")]
    [ApiOperation("Usage", "Calls, rows, tokens, compute and cost over a period, totals and per group", Query = [UsageQueryParameters.From, UsageQueryParameters.To, UsageQueryParameters.Model, UsageQueryParameters.Caller, UsageQueryParameters.GroupBy], Response = ApiSchemas.UsageReport)]
    [EndpointAccess(EndpointAccess.Caller, RequiresMetering = true)]
    public async Task<IResult> ReportAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "usage")] HttpRequest request)
    {
        var context = request.HttpContext;
        var ct = context.RequestAborted;
        var query = QueryOf(context, time);
        var grouping = context.Request.Query["group_by"].ToString().ToLowerInvariant() switch
        {
            "" or "none" => UsageGrouping.None,
            "day" => UsageGrouping.Day,
            "model" => UsageGrouping.Model,
            var other => throw new InvalidMeteringInputException($"group_by '{other}' is not day or model"),
        };
        var report = await UsageReport.BuildAsync(store, query, grouping, ct);
        var groupName = grouping == UsageGrouping.Day ? "day" : "model";
        return TypedResults.Json(new
        {
            caller = query.CallerId,
            model = query.Model,
            from = query.From,
            to = query.To,
            calls = report.Totals.Calls,
            rows = report.Totals.Rows,
            input_tokens = report.Totals.InputTokens,
            output_tokens = report.Totals.OutputTokens,
            compute_seconds = report.Totals.ComputeSeconds,
            cost = report.Totals.Cost,
            failed = report.Totals.Failed,
            rejected = report.Totals.Rejected,
            groups = report.Groups.Select(g => new Dictionary<string, object>
            {
                [groupName] = g.Key,
                ["calls"] = g.Totals.Calls,
                ["rows"] = g.Totals.Rows,
                ["input_tokens"] = g.Totals.InputTokens,
                ["output_tokens"] = g.Totals.OutputTokens,
                ["compute_seconds"] = g.Totals.ComputeSeconds,
                ["cost"] = g.Totals.Cost,
                ["failed"] = g.Totals.Failed,
                ["rejected"] = g.Totals.Rejected,
            }),
        }, ProtocolJson.Options);
    }

    [Function("UsageExport")]
    [ApiOperation("Usage", "The usage records of a period as CSV", Query = [UsageQueryParameters.From, UsageQueryParameters.To, UsageQueryParameters.Model, UsageQueryParameters.Caller], ResponseMediaType = "text/csv", Response = ApiSchemas.Text)]
    [EndpointAccess(EndpointAccess.Caller, RequiresMetering = true)]
    public async Task ExportAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "usage/export")] HttpRequest request)
    {
        var context = request.HttpContext;
        var query = QueryOf(context, time);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"usage-{query.From:yyyyMMdd}-{query.To:yyyyMMdd}.csv\"";
        await UsageCsvWriter.WriteAsync(context.Response.BodyWriter, store.ReadAsync(query, context.RequestAborted), context.RequestAborted);
    }

    /// <summary>
    /// Reads caller, model, from and to. <c>from</c> defaults to the start of this month (UTC), <c>to</c> to the
    /// start of the next; a date alone means midnight UTC, and a date as <c>to</c> includes that whole day.
    /// </summary>
    private static UsageQuery QueryOf(HttpContext context, TimeProvider time)
    {
        var caller = context.GetCaller();
        var requested = context.Request.Query["caller"].ToString() is { Length: > 0 } c ? c : null;
        if (!caller.IsAdmin && requested is not null && requested != caller.CallerId)
        {
            throw new UsageAccessDeniedException($"caller '{caller.CallerId}' may not read the usage of '{requested}'");
        }
        var now = time.GetUtcNow();
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var from = ParseTime(context, "from", endOfDay: false) ?? monthStart;
        var to = ParseTime(context, "to", endOfDay: true) ?? monthStart.AddMonths(1);
        if (to <= from)
        {
            throw new InvalidMeteringInputException($"to ({to:O}) must be after from ({from:O})");
        }
        var model = context.Request.Query["model"].ToString() is { Length: > 0 } m ? m : null;
        return new UsageQuery(from, to, caller.IsAdmin ? requested : caller.CallerId, model);
    }

    private static DateTimeOffset? ParseTime(HttpContext context, string name, bool endOfDay)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var midnight = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (endOfDay && date == DateOnly.MaxValue)
            {
                // The day's end, the next midnight, is past the last time DateTimeOffset can hold.
                throw new InvalidMeteringInputException($"{name} '{text}' is past the last day a range can end on (9999-12-30)");
            }
            return endOfDay ? midnight.AddDays(1) : midnight;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return instant;
        }
        throw new InvalidMeteringInputException($"{name} '{text}' is not a date (yyyy-MM-dd) or an ISO 8601 time");
    }
}
