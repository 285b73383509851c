using Microsoft.Extensions.Time.Testing;

namespace Serverless.Tests.Fakes;

/// <summary>
/// Left only for <c>Hosting/ModelPreloaderTests</c>, which another branch is changing: new tests use
/// <see cref="FakeTimeProvider"/> directly. Delete this once that file names <see cref="FakeTimeProvider"/>.
/// </summary>
internal sealed class ManualTimeProvider : FakeTimeProvider;
