# language: fr
Fonctionnalité: Restitution automatique des points
  Sans nouvelle infraction, les points retirés reviennent d'eux-mêmes : un point au bout de six
  mois (R52), tout le capital au bout de deux ans, ou trois ans si une infraction est de 4e ou
  5e classe ou un délit (R51). Les délais courent de la date de réalité de l'infraction, ici le
  paiement de l'amende (R7), le retrait étant décidé une fois la réalité établie (R8, LD14), et la
  restitution prend effet le lendemain de la fin du délai (D8).

  @R52 @R7 @D8
  Scénario: Un point retiré revient le lendemain des six mois suivant le paiement de l'amende
    Étant donné un permis non probatoire avec 12 points au 01/01/2025
    Et une infraction de 1 point de classe C3 commise le 02/01/2026, décidée le 10/01/2026 et payée le 10/01/2026
    Et que nous sommes le 12/07/2026
    Alors le solde du permis au 10/07/2026 est de 11 points
    Et le solde du permis au 11/07/2026 est de 12 points
    Et le relevé du permis contient une restitution de 1 point au 11/07/2026

  @R52 @R51 @D8
  Scénario: Une nouvelle infraction commise pendant les six mois bloque la restitution du point
    Étant donné un permis non probatoire avec 12 points au 01/01/2025
    Et une infraction de 1 point de classe C3 commise le 02/01/2026, décidée le 10/01/2026 et payée le 10/01/2026
    Et une infraction de 2 points de classe C3 commise le 10/07/2026, décidée le 25/07/2026 et payée le 25/07/2026
    Et que nous sommes le 01/08/2026
    Alors le solde du permis au 11/07/2026 est de 11 points
    Et le solde du permis est de 9 points
    Et le solde du permis au 26/07/2028 est de 12 points

  @R51 @R7 @D8
  Plan du scénario: Le capital revient au bout de deux ou trois ans sans nouvelle infraction
    Étant donné un permis non probatoire avec 12 points au 01/01/2025
    Et une infraction de 3 points de classe <classe> commise le 02/01/2026, décidée le 10/01/2026 et payée le 10/01/2026
    Et que nous sommes le 01/02/2026
    Alors le solde du permis est de 9 points
    Et le solde du permis au <veille> est de 9 points
    Et le solde du permis au <retour> est de 12 points

    Exemples:
      | classe | veille     | retour     |
      | C3     | 10/01/2028 | 11/01/2028 |
      | C4     | 10/01/2029 | 11/01/2029 |

  @R53 @D8
  Scénario: Les points d'une contravention reviennent dix ans après, même si d'autres infractions ont suivi
    Étant donné un permis non probatoire avec 12 points au 01/01/2015
    Et une infraction de 3 points de classe C4 commise le 02/01/2016, décidée le 10/01/2016 et payée le 10/01/2016
    Et une infraction de 1 point de classe C4 commise le 02/01/2018, décidée le 10/01/2018 et payée le 10/01/2018
    Et une infraction de 1 point de classe C4 commise le 02/01/2020, décidée le 10/01/2020 et payée le 10/01/2020
    Et une infraction de 1 point de classe C4 commise le 02/01/2022, décidée le 10/01/2022 et payée le 10/01/2022
    Et une infraction de 1 point de classe C4 commise le 02/01/2024, décidée le 10/01/2024 et payée le 10/01/2024
    Et une infraction de 1 point de classe C4 commise le 02/01/2026, décidée le 10/01/2026 et payée le 10/01/2026
    Et que nous sommes le 12/01/2026
    Alors le solde du permis au 10/01/2026 est de 8 points
    Et le solde du permis au 11/01/2026 est de 11 points
    Et le relevé du permis contient une restitution de 3 points au 11/01/2026

  @R54 @R6
  Scénario: Aucune restitution automatique après la notification d'une invalidation
    Étant donné un permis non probatoire avec 12 points au 01/01/2025
    Et une infraction de 1 point de classe C3 commise le 02/01/2026, décidée le 10/01/2026 et payée le 10/01/2026
    Et que nous sommes le 01/03/2026
    Quand la 48SI est notifiée le 01/03/2026 (décision du 20/02/2026)
    Et le temps passe jusqu'au 12/07/2026
    Alors le permis n'est plus valide
    Et le solde du permis au 11/07/2026 est de 11 points

  @R51 @R4 @D8
  Scénario: Un retour au maximum dont le délai s'achève pendant la période probatoire s'applique à sa fin
    Étant donné un permis probatoire classique obtenu le 01/09/2023
    Et une infraction de 2 points de classe C3 commise le 10/10/2023
    Et que nous sommes le 01/10/2026
    Alors le solde du permis au 10/10/2025 est de 4 points
    Et le solde du permis au 31/08/2026 est de 4 points
    Et le solde du permis au 01/09/2026 est de 12 points
    Et le relevé du permis contient une restitution de 8 points au 01/09/2026
