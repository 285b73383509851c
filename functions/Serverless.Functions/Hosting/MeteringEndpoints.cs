using Microsoft.Extensions.Options;
using Serverless.Core.Metering;
using Serverless.Core.Telemetry;
using Serverless.Functions.Metering;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Hosting;

/// <summary>Caller authentication for every route after it, then the admin, usage and metrics endpoints.</summary>
public static class MeteringEndpoints
{
    public static WebApplication MapMetering(this WebApplication app)
    {
        // Created now, before any hosted service preloads a model, so they see every ModelCache.Loaded event.
        app.Services.GetRequiredService<ServerlessMetrics>();
        app.Services.GetRequiredService<PriceList>();

        app.MapMetricsEndpoints();
        if (app.Services.GetRequiredService<IOptions<MeteringOptions>>().Value.Enabled)
        {
            app.UseMiddleware<CallerAuthenticationMiddleware>();
            app.MapAdminEndpoints();
            app.MapUsageEndpoints();
        }
        return app;
    }
}
