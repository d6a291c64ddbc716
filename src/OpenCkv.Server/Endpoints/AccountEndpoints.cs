using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenCkv.Directory;
using OpenCkv.Directory.Accounts;
using OpenCkv.Directory.Authentication;
using OpenCkv.Directory.Storage;
using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Publishing;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>
/// Accounts, handles, devices and CKV: proving a handle, registering, sessions, the account as it stands, the CKV
/// requirements, device facts, the second factor, and changes (each a set of new records the directory checks
/// before it publishes them). Whatever changes the account must be signed by a signed-in device's request key; a
/// session token only reads.
/// </summary>
internal static class AccountEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/v1").WithTags("Accounts");
        v1.MapPost("/handles/code", RequestCodeAsync).WithSummary("Sends a one-time code to a handle").Accepts<HandleCodeRequest>("application/json").Produces<HandleCodeResponse>(202);
        v1.MapPost("/accounts", RegisterAsync).WithSummary("Creates an account with its first device and publishes the handle's first record").Accepts<RegisterRequest>("application/json").Produces<RegisterResponse>(201);
        v1.MapPost("/sessions", OpenSessionAsync).WithSummary("Trades one signed request for a short-lived session token (reads only)").Produces<SessionResponse>();
        v1.MapGet("/account", AccountAsync).WithSummary("The account as it stands").Produces<AccountMessage>();
        v1.MapGet("/account/requirements", RequirementsAsync).WithSummary("Whether CKV can be turned on, with every blocking device and the way out").Produces<RequirementsMessage>();
        v1.MapPost("/account/changes", ChangeAsync).WithSummary("Publishes a change (CKV on/off, a device signed out or removed as lost, a handle removed) as new signed records").Accepts<ChangeRequest>("application/json").Produces<ChangeReceiptMessage>();
        v1.MapPost("/accounts/reset/prepare", PrepareResetAsync).WithSummary("Before a reset: the account and the newest record of each live handle (handle code, checked not spent)").Accepts<ResetPrepareRequest>("application/json").Produces<ResetPrepareResponse>();
        v1.MapPost("/accounts/reset", ResetAsync).WithSummary("Resets an account whose devices are all lost: handle code and second factor, a new account key").Accepts<ResetRequest>("application/json").Produces<ChangeReceiptMessage>();
        v1.MapDelete("/account", DeleteAsync).WithSummary("Deletes the account: the tombstone of every live handle, then its rows").Accepts<DeleteAccountRequest>("application/json").Produces<ChangeReceiptMessage>();
        v1.MapPut("/devices/self", UpdateDeviceAsync).WithSummary("Replaces what this device reports about itself").Accepts<DeviceUpdateRequest>("application/json").Produces(204);
        v1.MapPost("/account/2fa", BeginTwoFactorAsync).WithSummary("Issues a TOTP secret (RFC 6238); on after confirmation").Produces<TwoFactorEnrollment>();
        v1.MapPost("/account/2fa/confirm", ConfirmTwoFactorAsync).WithSummary("Turns the second factor on with a current code").Accepts<TwoFactorCode>("application/json").Produces(204);
        v1.MapPost("/account/2fa/disable", DisableTwoFactorAsync).WithSummary("Turns the second factor off with a current code (refused while CKV is on)").Accepts<TwoFactorCode>("application/json").Produces(204);
    }

    private static async Task<IResult> RequestCodeAsync(HttpContext context, ServerState state)
    {
        HandleCodeRequest request = Json.Parse<HandleCodeRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        string label = Normalized(request.Handle);
        state.Limits.Sensitive(Address(context), "code:" + label);
        await state.Directory.RequestCodeAsync(label, context.RequestAborted).ConfigureAwait(false);
        return Results.Accepted(value: new HandleCodeResponse(label));
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, ServerState state)
    {
        RegisterRequest request = Json.Parse<RegisterRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        string label = Normalized(request.Handle);
        state.Limits.Sensitive(Address(context), "register:" + label);
        DeviceFacts facts = Conversions.Facts(request.Device);
        byte[] record = Json.Base64(request.Record, "record");
        Registration registration = await state.Directory.RegisterAsync(label, request.Code, facts, record).ConfigureAwait(false);
        return Results.Created(
            "/v1/account",
            new RegisterResponse(Conversions.Hex(registration.AccountId), Conversions.Hex(registration.DeviceId), registration.Label, Conversions.Message(registration.Receipt)));
    }

    private static async Task<SessionResponse> OpenSessionAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: true).ConfigureAwait(false);
        (string token, DateTimeOffset expires) = state.Authenticator.OpenSession(device);
        return new SessionResponse(token, expires);
    }

    private static async Task<AccountMessage> AccountAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        Account account = state.Directory.Account(device.AccountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        AccountView view = state.Directory.View(device.AccountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        return new AccountMessage(
            Conversions.Hex(account.AccountId),
            account.Managed,
            account.TotpEnabled,
            State(view.Current?.State ?? CkvState.Removed),
            view.Current?.Counter ?? view.Records.Values.Select(r => r.Counter).DefaultIfEmpty().Max(),
            view.Records.Select(r => new HandleMessage(r.Key, r.Value.Version, State(r.Value.State))).ToArray(),
            view.Devices.Select(d => new DeviceMessage(Conversions.Hex(d.DeviceId), Conversions.Message(d.Facts), d.RegisteredMs)).ToArray());
    }

    private static async Task<RequirementsMessage> RequirementsAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        IReadOnlyList<Blocker> blockers = state.Directory.Requirements(device.AccountId);
        return new RequirementsMessage(blockers.Count == 0, blockers.Select(Conversions.Message).ToArray());
    }

    private static async Task<ChangeReceiptMessage> ChangeAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: true).ConfigureAwait(false);
        ChangeRequest request = Json.Parse<ChangeRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        if (!TransitionNames.TryParse(request.Transition, out Transition transition))
        {
            throw new BadInputException("transition is one of ckv-on, ckv-off, device-added, device-signed-out, device-removed-as-lost, handle-removed.");
        }

        byte[][] records = Records(request.Records);
        byte[]? joinId = request.JoinId is null ? null : Json.Id(request.JoinId, "joinId");
        ChangeReceipt receipt = await state.Directory.ChangeAsync(device.AccountId, device.DeviceId, transition, records, joinId).ConfigureAwait(false);
        return Conversions.Message(receipt);
    }

    private static async Task<ResetPrepareResponse> PrepareResetAsync(HttpContext context, ServerState state)
    {
        ResetPrepareRequest request = Json.Parse<ResetPrepareRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        state.Limits.Sensitive(Address(context), "reset:" + Normalized(request.Handle));
        (byte[] accountId, IReadOnlyList<HandleRecord> records) = state.Directory.PrepareReset(request.Handle, request.Code);
        return new ResetPrepareResponse(Conversions.Hex(accountId), records.Select(r => Convert.ToBase64String(KeyTransparency.Tls.TlsCodec.Encode(r))).ToArray());
    }

    private static async Task<ChangeReceiptMessage> ResetAsync(HttpContext context, ServerState state)
    {
        ResetRequest request = Json.Parse<ResetRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        state.Limits.Sensitive(Address(context), "reset:" + Normalized(request.Handle));
        byte[][] records = Records(request.Records);
        ChangeReceipt receipt = await state.Directory.ResetAsync(request.Handle, request.Code, request.SecondFactor, Conversions.Facts(request.Device), records).ConfigureAwait(false);
        return Conversions.Message(receipt);
    }

    private static async Task<ChangeReceiptMessage> DeleteAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: true).ConfigureAwait(false);
        DeleteAccountRequest request = Json.Parse<DeleteAccountRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        ChangeReceipt receipt = await state.Directory.DeleteAccountAsync(device.AccountId, device.DeviceId, Records(request.Records)).ConfigureAwait(false);
        return Conversions.Message(receipt);
    }

    private static byte[][] Records(IReadOnlyList<string>? records) =>
        records is { Count: > 0 and <= 64 }
            ? records.Select((r, i) => Json.Base64(r, $"records[{i}]")).ToArray()
            : throw new BadInputException("A change carries 1 to 64 records.");

    private static async Task<IResult> UpdateDeviceAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: true).ConfigureAwait(false);
        DeviceUpdateRequest request = Json.Parse<DeviceUpdateRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        state.Directory.UpdateFacts(device.AccountId, device.DeviceId, Conversions.Facts(request.Facts));
        return Results.NoContent();
    }

    private static async Task<TwoFactorEnrollment> BeginTwoFactorAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: true).ConfigureAwait(false);
        (string secret, string uri) = state.Directory.BeginTwoFactor(device.AccountId);
        return new TwoFactorEnrollment(secret, uri);
    }

    private static async Task<IResult> ConfirmTwoFactorAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: true).ConfigureAwait(false);
        state.Limits.Sensitive(Address(context), "2fa:" + Conversions.Hex(device.AccountId));
        TwoFactorCode code = Json.Parse<TwoFactorCode>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        state.Directory.ConfirmTwoFactor(device.AccountId, code.Code);
        return Results.NoContent();
    }

    private static async Task<IResult> DisableTwoFactorAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: true).ConfigureAwait(false);
        state.Limits.Sensitive(Address(context), "2fa:" + Conversions.Hex(device.AccountId));
        TwoFactorCode code = Json.Parse<TwoFactorCode>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        await state.Directory.DisableTwoFactorAsync(device.AccountId, code.Code).ConfigureAwait(false);
        return Results.NoContent();
    }

    internal static string State(CkvState state) => state switch
    {
        CkvState.On => "on",
        CkvState.Off => "off",
        _ => "removed",
    };

    internal static string Normalized(string? handle)
    {
        try
        {
            return HandleName.Normalize(handle ?? throw new BadInputException("'handle' is required."));
        }
        catch (InvalidHandleException e)
        {
            throw new DirectoryException(DirectoryError.InvalidHandle, e.Message);
        }
    }

    internal static string Address(HttpContext context) => "ip:" + (context.Connection.RemoteIpAddress ?? IPAddress.None);
}
