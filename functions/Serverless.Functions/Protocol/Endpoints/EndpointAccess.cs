namespace Serverless.Functions.Protocol.Endpoints;

/// <summary>Who may call an endpoint. Endpoints without an <see cref="EndpointAccessAttribute"/> are <see cref="Caller"/>.</summary>
public enum EndpointAccess
{
    /// <summary>Anyone, no caller resolved (health probes).</summary>
    Open,

    /// <summary>A resolved caller: a valid key, API Management's vouched caller, or anonymous while keys are optional.</summary>
    Caller,

    /// <summary>As <see cref="Caller"/>, and a call refused for its key leaves a rejected usage record.</summary>
    Metered,

    /// <summary>The admin key only.</summary>
    Admin,

    /// <summary>The admin key once Metering:RequireKey is on; anyone while keys are optional (local use).</summary>
    AdminWhenKeysRequired,
}
