using System.Net.Http.Json;
using OpenCkv.Client;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Verification;

namespace OpenCkv.Server.Tests;

/// <summary>A device watching its own account's handles (DESIGN §5 self-monitoring; KT §8.3 owner monitoring).</summary>
public sealed class SelfMonitoringTests
{
    private const string Alice = "mailto:alice@example.com";

    [Fact]
    public async Task An_honest_history_of_changes_from_two_devices_raises_nothing_and_a_version_the_account_did_not_sign_is_caught()
    {
        using var home = new TempFolder();
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using CkvDevice phone = (await CkvDevice.RegisterAsync(Path.Combine(home.Path, "phone"), new DeviceSetup(server.Address, Alice, "phone", "phone", "17.2"))).Device;
        Assert.Empty((await phone.SyncAsync()).Findings);

        Task<CkvDevice> joining = CkvDevice.JoinAsync(Path.Combine(home.Path, "tablet"), new DeviceSetup(server.Address, Alice, "tablet", "tablet", "17.2"), null, _ => { }, TimeSpan.FromSeconds(30));
        await phone.ApproveAsync(null, _ => true, TimeSpan.FromSeconds(30));
        using CkvDevice tablet = await joining;

        // Changes from either device, each followed by the other's sync: owner monitoring learns every version.
        await EnableTwoFactorAsync(phone);
        await phone.SetVerificationAsync(true);
        Assert.Empty((await tablet.SyncAsync()).Findings);
        await tablet.SetVerificationAsync(false);
        Assert.Empty((await phone.SyncAsync()).Findings);
        await phone.SetVerificationAsync(true);
        foreach (CkvDevice device in new[] { phone, tablet, phone })
        {
            Assert.Empty((await device.SyncAsync()).Findings);
        }

        Assert.Empty(phone.Alerts());
        Assert.Empty(tablet.Alerts());
        Assert.True(tablet.OwnCkvOn);

        // The server publishes a version of Alice's handle with a device of its own: both her devices see it.
        using HttpResponseMessage injected = await server.Http.PostAsJsonAsync("/dev/misbehave", new { scenario = "inject-device", handle = Alice });
        injected.EnsureSuccessStatusCode();
        foreach (CkvDevice device in new[] { phone, tablet })
        {
            IReadOnlyList<Finding> findings = (await device.SyncAsync()).Findings;
            Assert.Contains(findings, f => f.Code == AlertCode.OwnAccountMismatch);
            Alert warning = Assert.Single(device.Alerts(unacknowledgedOnly: true), a => a.Code == AlertCode.OwnAccountMismatch);
            Assert.Equal((AlertSeverity.Warning, (string?)null), (warning.Severity, warning.Label));
        }
    }

    [Fact]
    public async Task A_rotation_published_in_the_middle_of_a_sync_is_no_warning()
    {
        using var home = new TempFolder();
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using CkvDevice phone = (await CkvDevice.RegisterAsync(Path.Combine(home.Path, "phone"), new DeviceSetup(server.Address, Alice, "phone", "phone", "17.2"))).Device;
        var blobsSent = new BlobsSent();
        using CkvDevice tablet = await JoinAsync(phone, home, server, "tablet", "tablet", blobsSent);
        string laptopId;
        using (CkvDevice laptop = await JoinAsync(phone, home, server, "laptop", "desktop"))
        {
            laptopId = Convert.ToHexStringLower(laptop.DeviceId);
        }

        foreach (CkvDevice device in new[] { phone, tablet, phone })
        {
            Assert.Empty((await device.SyncAsync()).Findings);
        }

        // The laptop is lost; the phone removes it, and the tablet answers the rotation, then makes no call until
        // the rotation is published.
        int sentBefore = blobsSent.Count;
        Task<SignedOut> rotation = phone.SignOutAsync(laptopId, lost: true, TimeSpan.FromSeconds(30));
        while (blobsSent.Count == sentBefore)
        {
            await tablet.ReceiveKeychainAsync();
            await Task.Delay(50);
        }

        Assert.True((await rotation).Rotated);

        // The tablet's own-record check ran before the rotation was published, and its owner monitoring runs after
        // (as when the rotation lands in the middle of a sync): the new version is signed by the key it proved,
        // cross-signed by the key it holds, and the keychain the phone sealed with that key is the account's own.
        Assert.Empty(await tablet.MonitorOwnHandlesAsync());
        Assert.Empty((await tablet.SyncAsync()).Findings);
        Assert.Empty(tablet.Alerts());
        Assert.Equal(phone.PublicVerificationCode, tablet.PublicVerificationCode);
    }

    private static async Task<CkvDevice> JoinAsync(CkvDevice approver, TempFolder home, LoopbackServer server, string name, string platform, HttpMessageHandler? handler = null)
    {
        Task<CkvDevice> joining = CkvDevice.JoinAsync(Path.Combine(home.Path, name), new DeviceSetup(server.Address, Alice, name, platform, "17.2"), null, _ => { }, TimeSpan.FromSeconds(30), handler: handler);
        Task approval = approver.ApproveAsync(null, _ => true, TimeSpan.FromSeconds(30));
        await Task.WhenAll(joining, approval);
        return await joining;
    }

    private static async Task EnableTwoFactorAsync(CkvDevice device)
    {
        OpenCkv.Protocol.Api.TwoFactorEnrollment enrollment = await device.BeginTwoFactorAsync();
        await device.ConfirmTwoFactorAsync(new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(enrollment.Secret)).ComputeTotp());
    }

    /// <summary>Counts the keychain blobs a device sends.</summary>
    private sealed class BlobsSent() : DelegatingHandler(new HttpClientHandler())
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.RequestUri?.AbsolutePath == "/v1/keychain/blobs")
            {
                Interlocked.Increment(ref _count);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
