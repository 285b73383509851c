#!/bin/sh
# azd postprovision hook: uploads the local model repository (models/<name>/<version>/model.onnx, the layout the
# app reads) to the models container, signed in as the deploying user. infra/app/rbac.bicep grants that user
# Storage Blob Data Contributor; the account has no keys, hence --auth-mode login.
set -eu

account="${AZURE_STORAGE_ACCOUNT_NAME:?run through azd, or export AZURE_STORAGE_ACCOUNT_NAME}"
container="${MODELS_CONTAINER_NAME:-models}"
source_dir="${MODELS_DIRECTORY:-models}"

if [ ! -d "$source_dir" ] || [ -z "$(find "$source_dir" -type f | head -n 1)" ]; then
  echo "No files under $source_dir: nothing to upload."
  exit 0
fi

# A new role assignment can take a few minutes to reach the data plane: retry instead of failing the provision.
attempt=1
until az storage blob upload-batch --auth-mode login --account-name "$account" \
    --destination "$container" --source "$source_dir" --overwrite true --only-show-errors --output none; do
  if [ "$attempt" -ge 5 ]; then
    echo "Upload failed $attempt times; rerun: azd hooks run postprovision" >&2
    exit 1
  fi
  echo "Upload attempt $attempt failed (role assignment still propagating?); retrying in 30 s."
  attempt=$((attempt + 1))
  sleep 30
done
echo "Uploaded $source_dir to https://$account.blob.core.windows.net/$container"
