//! How domain values are stored: sqlx mappings for the types that own a stored form, generic
//! over the engine (each is a text column), so queries bind and read them directly.

use crate::domain::scope_set::ScopeSet;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

impl<DB: Database> Type<DB> for ScopeSet
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'q, DB: Database> Encode<'q, DB> for ScopeSet
where
    String: Encode<'q, DB>,
{
    fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        self.stored().encode(buf)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for ScopeSet
where
    String: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(ScopeSet::read(&String::decode(value)?))
    }
}
