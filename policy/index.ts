import { PolicyPack } from "@pulumi/policy";
import { packPolicies } from "./policies";

new PolicyPack("webstack", { policies: packPolicies });
