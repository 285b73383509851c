using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Serverless.Core.Jobs;
using Serverless.Core.Metering;
using Serverless.Functions.Metering;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// <c>POST /jobs</c> (submit a batch scoring job), <c>GET /jobs/{id}</c> (its state), <c>DELETE /jobs/{id}</c> (cancel
/// it), <c>GET /jobs</c> (recent jobs).
/// A job belongs to the caller that submitted it: a caller sees and lists only its own jobs, the admin key all of
/// them. With metering off there are no keys to tell callers apart, so everyone sees them all.
/// </summary>
public sealed class JobFunctions(JobPlanner planner, JobCompletion completion, IJobStore store, IOptions<MeteringOptions> metering)
{
    private const int MaxJobRequestBytes = 64 * 1024;

    [Function("SubmitJob")]
    [ApiOperation("Jobs", "Submit a batch scoring job over blob files", Description = "Answers 202 with the job's status and its URL in Location.", RequestBody = ApiSchemas.JobRequest, Response = ApiSchemas.JobStatus, ResponseStatus = 202)]
    public async Task<IResult> SubmitAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "jobs")] HttpRequest httpRequest)
    {
        var context = httpRequest.HttpContext;
        var cancellationToken = context.RequestAborted;
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

    [Function("GetJob")]
    [ApiOperation("Jobs", "A job's state, progress, outputs and error", Response = ApiSchemas.JobStatus)]
    public async Task<IResult> GetAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "jobs/{id}")] HttpRequest request, string id)
    {
        var job = await FindVisibleAsync(request.HttpContext, id);
        return TypedResults.Json(JobStatus.From(job), ProtocolJson.Options);
    }

    /// <summary>Cancels a queued or running job of the caller's (any job with the admin key): 200 with its state, 409 once it has settled.</summary>
    [Function("CancelJob")]
    [ApiOperation("Jobs", "Cancel a queued or running job", Description = "Shards not yet scored are skipped; rows already scored stay billed. 409 once the job has settled.", Response = ApiSchemas.JobStatus)]
    public async Task<IResult> CancelAsync([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "jobs/{id}")] HttpRequest request, string id)
    {
        var job = await FindVisibleAsync(request.HttpContext, id);
        var cancelled = await completion.CancelAsync(job.Id, request.HttpContext.RequestAborted);
        return TypedResults.Json(JobStatus.From(cancelled), ProtocolJson.Options);
    }

    // The limit is read as text, so a bad one gets a 400 that says what was wrong.
    [Function("ListJobs")]
    [ApiOperation("Jobs", "The caller's jobs (every job for the admin key)", Query = ["limit: how many, newest first (1 to 500, default 50)"], Response = ApiSchemas.JobList)]
    public async Task<IResult> ListAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "jobs")] HttpRequest request)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var limit = request.Query["limit"] is { Count: > 0 } given ? given.ToString() : null;
        var parsed = 50;
        if (limit is not null && !int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out parsed))
        {
            throw new InvalidJobException($"limit '{limit}' is not a whole number (1 to 500)");
        }
        var max = Math.Clamp(parsed, 1, 500);
        var jobs = await store.ListAsync(max, VisibleCaller(request.HttpContext), cancellationToken);
        return TypedResults.Json(new { jobs = jobs.Select(JobStatus.From) }, ProtocolJson.Options);
    }

    /// <summary>The job, when this request may see it; another caller's job is answered exactly like a job that does not exist.</summary>
    private async Task<JobRecord> FindVisibleAsync(HttpContext context, string id)
    {
        if (!JobRequest.IsValidId(id))
        {
            throw new JobNotFoundException(id);
        }
        var job = await store.GetAsync(id, context.RequestAborted);
        if (job is null || (VisibleCaller(context) is { } caller && job.Request.Owner != caller))
        {
            throw new JobNotFoundException(id);
        }
        return job;
    }

    /// <summary>The caller whose jobs this request may see; null when it may see everyone's.</summary>
    private string? VisibleCaller(HttpContext context)
    {
        var caller = context.GetCaller();
        return caller.IsAdmin || !metering.Value.Enabled ? null : caller.CallerId;
    }
}
