using Serverless.Core.Jobs;
using Serverless.Functions.Metering;

namespace Serverless.Functions.Protocol.Http;

/// <summary><c>POST /jobs</c> (submit a batch scoring job), <c>GET /jobs/{id}</c> (its state), <c>GET /jobs</c> (recent jobs).</summary>
public static class JobEndpoints
{
    private const int MaxJobRequestBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/jobs");
        jobs.MapPost("", SubmitAsync);
        jobs.MapGet("", ListAsync);
        jobs.MapGet("/{id}", GetAsync);
        return app;
    }

    private static async Task<IResult> SubmitAsync(HttpContext context, JobPlanner planner, CancellationToken cancellationToken)
    {
        JobRequest request;
        using (var body = await RequestBody.ReadAsync(context.Request, MaxJobRequestBytes, cancellationToken))
        {
            // The caller is whoever authentication says it is, never what the body claims.
            request = JobRequest.Parse(body.Span) with { Caller = context.GetCaller().CallerId };
        }
        var job = await planner.SubmitAsync(request, cancellationToken);
        var status = JobStatus.From(job);
        context.Response.Headers.Location = status.StatusUrl;
        return TypedResults.Json(status, ProtocolJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> GetAsync(string id, IJobStore store, CancellationToken cancellationToken)
    {
        if (!JobRequest.IsValidId(id))
        {
            throw new JobNotFoundException(id);
        }
        var job = await store.GetAsync(id, cancellationToken) ?? throw new JobNotFoundException(id);
        return TypedResults.Json(JobStatus.From(job), ProtocolJson.Options);
    }

    // The limit is read as text: a typed int? parameter that fails to bind answers 400 with no body, so the client
    // would not learn what was wrong.
    private static async Task<IResult> ListAsync(IJobStore store, string? limit, CancellationToken cancellationToken)
    {
        var parsed = 50;
        if (limit is not null && !int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out parsed))
        {
            throw new InvalidJobException($"limit '{limit}' is not a whole number (1 to 500)");
        }
        var max = Math.Clamp(parsed, 1, 500);
        var jobs = await store.ListAsync(max, cancellationToken);
        return TypedResults.Json(new { jobs = jobs.Select(JobStatus.From) }, ProtocolJson.Options);
    }
}
