using Microsoft.Extensions.Time.Testing;
using OpenCkv.Client;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Verification;

namespace OpenCkv.Server.Tests;

/// <summary>The SDK's clock-dependent behaviour, driven by a fake clock instead of waiting.</summary>
public sealed class DeviceClockTests
{
    [Fact]
    public async Task An_unreachable_log_keeps_the_last_verified_state_for_the_grace_period_and_then_the_contact_is_unavailable()
    {
        var options = new CkvOptions { GracePeriod = TimeSpan.FromMinutes(30) };
        using var home = new TempFolder();
        LoopbackServer server = await LoopbackServer.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow); // after the server started: it refuses requests signed before
        CkvDevice alice, bob;
        await using (server)
        {
            alice = (await CkvDevice.RegisterAsync(Path.Combine(home.Path, "alice"), Setup(server, "mailto:alice@example.com"), options, time: clock)).Device;
            bob = (await CkvDevice.RegisterAsync(Path.Combine(home.Path, "bob"), Setup(server, "mailto:bob@example.com"), options, time: clock)).Device;
            alice.AddContact("Bob", "mailto:bob@example.com");
            HandleCheck first = await alice.CheckHandleAsync("mailto:bob@example.com");
            Assert.True(first.Usable, string.Join("; ", first.Findings.Select(f => f.Detail)) + (first.Reachable ? "" : " unreachable"));
        }

        using (alice)
        using (bob)
        {
            // The server is gone. Within the grace period the last verified record stands, without an alert.
            clock.Advance(TimeSpan.FromMinutes(29));
            HandleCheck within = await alice.CheckHandleAsync("mailto:bob@example.com");
            Assert.False(within.Reachable);
            Assert.Empty(within.Findings);
            Assert.NotNull(within.Pin);
            Assert.Empty(alice.Alerts());

            // Past it, the contact is unavailable: a warning, and nothing would be encrypted to it.
            clock.Advance(TimeSpan.FromMinutes(2));
            HandleCheck past = await alice.CheckHandleAsync("mailto:bob@example.com");
            Assert.False(past.Usable);
            Assert.Equal(AlertCode.Unavailable, Assert.Single(past.Findings).Code);
            Alert warning = Assert.Single(alice.Alerts());
            Assert.Equal((AlertSeverity.Warning, "mailto:bob@example.com"), (warning.Severity, warning.Label));

            // A contact never proven is unavailable at once, whatever the grace period.
            alice.AddContact("Carol", "mailto:carol@example.com");
            HandleCheck never = await alice.CheckHandleAsync("mailto:carol@example.com");
            Assert.Null(never.Pin);
            Assert.Equal(AlertCode.Unavailable, Assert.Single(never.Findings).Code);
        }
    }

    [Fact]
    public async Task A_device_clock_far_off_is_a_clock_notification_and_past_the_grace_period_the_contact_is_unavailable()
    {
        using var home = new TempFolder();
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using CkvDevice alice = (await CkvDevice.RegisterAsync(Path.Combine(home.Path, "alice"), Setup(server, "mailto:alice@example.com"), time: clock)).Device;
        using CkvDevice bob = (await CkvDevice.RegisterAsync(Path.Combine(home.Path, "bob"), Setup(server, "mailto:bob@example.com"))).Device;
        alice.AddContact("Bob", "mailto:bob@example.com");
        Assert.True((await alice.CheckHandleAsync("mailto:bob@example.com")).Usable);

        // Two days ahead: the server refuses the device's signatures (±5 minutes), twice, so nothing is proven.
        clock.Advance(TimeSpan.FromDays(2));
        HandleCheck check = await alice.CheckHandleAsync("mailto:bob@example.com");
        Assert.False(check.Usable);
        Assert.Equal(AlertCode.Unavailable, Assert.Single(check.Findings).Code);
        Alert skew = Assert.Single(alice.Alerts(), a => a.Code == AlertCode.ClockSkew);
        Assert.Equal(AlertSeverity.Notification, skew.Severity);
    }

    private static DeviceSetup Setup(LoopbackServer server, string handle) => new(server.Address, handle, "phone", "phone", "17.2");
}
