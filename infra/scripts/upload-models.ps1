# azd postprovision hook: uploads the local model repository (models/<name>/<version>/model.onnx, the layout the
# app reads) to the models container, signed in as the deploying user. infra/app/rbac.bicep grants that user
# Storage Blob Data Contributor; the account has no keys, hence --auth-mode login.
$ErrorActionPreference = 'Stop'

$account = $env:AZURE_STORAGE_ACCOUNT_NAME
if (-not $account) { throw 'Run through azd, or set AZURE_STORAGE_ACCOUNT_NAME.' }
$container = if ($env:MODELS_CONTAINER_NAME) { $env:MODELS_CONTAINER_NAME } else { 'models' }
$sourceDir = if ($env:MODELS_DIRECTORY) { $env:MODELS_DIRECTORY } else { 'models' }

if (-not (Test-Path $sourceDir) -or -not (Get-ChildItem $sourceDir -Recurse -File | Select-Object -First 1)) {
    Write-Host "No files under ${sourceDir}: nothing to upload."
    exit 0
}

# A new role assignment can take a few minutes to reach the data plane: retry instead of failing the provision.
for ($attempt = 1; ; $attempt++) {
    az storage blob upload-batch --auth-mode login --account-name $account `
        --destination $container --source $sourceDir --overwrite true --only-show-errors --output none
    if ($LASTEXITCODE -eq 0) { break }
    if ($attempt -ge 5) { throw "Upload failed $attempt times; rerun: azd hooks run postprovision" }
    Write-Host "Upload attempt $attempt failed (role assignment still propagating?); retrying in 30 s."
    Start-Sleep -Seconds 30
}
Write-Host "Uploaded $sourceDir to https://$account.blob.core.windows.net/$container"
