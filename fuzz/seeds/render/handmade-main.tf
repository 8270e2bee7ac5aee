# A hand-written module for trustsim's tests: one role per way of writing a trust policy.

variable "vendor_account" {
  type    = string
  default = "999988887777"
}

variable "external_id" {
  type    = string
  default = null
}

variable "github_repos" {
  type    = list(string)
  default = ["repo:example-org/app:ref:refs/heads/main"]
}

variable "public_bucket_reader" {
  type    = bool
  default = false
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  github     = "token.actions.githubusercontent.com"
}

# jsonencode of an object; the vendor without sts:ExternalId is a confused deputy.
resource "aws_iam_role" "vendor" {
  name = "vendor-audit"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${var.vendor_account}:root" }
      Condition = var.external_id == null ? {} : { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
}

# A heredoc JSON string with interpolations.
resource "aws_iam_role" "events" {
  name               = "events-target"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "${local.account_id}"}}
      }]
    }
  EOT
}

# file() next to the module.
resource "aws_iam_role" "from_file" {
  name               = "from-file"
  assume_role_policy = file("${path.module}/trust.json")
}

data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Lambda"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# A policy document with GitHub OIDC, built on another document.
data "aws_iam_policy_document" "ci" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]

  statement {
    sid     = "GitHub"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${local.account_id}:oidc-provider/${local.github}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "${local.github}:sub"
      values   = var.github_repos
    }
  }
}

resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.ci.json
}

data "aws_iam_policy_document" "reader" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.public_bucket_reader ? ["*"] : ["arn:aws:iam::${local.account_id}:role/reader"]
    }
  }
}

# A conditional on a variable: public only when public_bucket_reader is true.
resource "aws_iam_role" "reader" {
  name               = "reader"
  assume_role_policy = data.aws_iam_policy_document.reader.json
}

# The audit account is the organization's own: its finding is accepted inline.
# trustsim:ignore confused-deputy the audit account is ours, reviewed 2026-11
resource "aws_iam_role" "audit" {
  name = "audit"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::444455556666:root" } }]
  })
}
