using System.Diagnostics;

namespace Serverless.Core.Telemetry;

/// <summary>The trace source of the application core; OpenTelemetry listens to it by <see cref="Name"/>.</summary>
public static class ServerlessActivities
{
    public const string Name = "Serverless";

    public static readonly ActivitySource Source = new(Name);
}
